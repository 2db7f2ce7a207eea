//! One column of a table: dictionary-coded while its values repeat, plain
//! once they do not.
//!
//! Most columns of sales data hold few distinct values among many rows:
//! stages, products, owners, dates, the roles and rules of credits. Such a
//! column keeps each distinct value once and a code per row, as narrow as
//! the number of values allows (1, 2 or 4 bytes: `codes.rs`), where a
//! plain column keeps a 24-byte value per row. A column starts coded
//! and turns plain, for good, once its distinct values are too many for
//! the codes to pay (ids, amounts); a plain column of one kind of value
//! (references, money, texts) keeps them packed (`typed.rs`). A cell is
//! read as a value, borrowed where the column holds one, and the values
//! read back are exactly the values written (`1.0` stays `1.0`, not `1`).

mod amounts;
mod codes;
mod typed;

use crate::value::{hash_key, hash_key_text, same_key, RowRef, Value};
use crate::ByHash;
use chrono::Datelike;
pub use codes::Codes;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use typed::Typed;

/// Distinct values a coded column always keeps coded.
const ALWAYS_CODED: usize = 4096;
/// A reference column whose items are more than one in this many rows
/// keeps row numbers rather than codes once its references are resolved
/// (see [`Column::map_items`]).
const MANY_ROWS: usize = 16;
/// Distinct values a coded column looks through before it hashes.
const FEW: usize = 8;
/// Rows a column takes before it may turn plain while values still come.
const DECIDE_AFTER: usize = 1 << 16;
/// Fewest rows of texts kept packed once a column is settled.
const PACKED_TEXTS: usize = 1 << 16;

/// One column: its name and one value per row.
#[derive(Clone, Debug, Default)]
pub struct Column {
    /// Column name.
    pub name: String,
    data: Data,
}

#[derive(Clone, Debug)]
enum Data {
    Coded(Coded),
    Plain(Vec<Value>),
    Typed(Typed),
}

impl Default for Data {
    fn default() -> Data {
        Data::Coded(Coded::default())
    }
}

/// Distinct values and a code per row.
#[derive(Debug)]
struct Coded {
    /// This dictionary among all: its values are only ever added to, so
    /// what a code means never changes under one id (a copy, or a
    /// dictionary whose values are replaced, takes a new one).
    id: u64,
    codes: Codes,
    dict: Vec<Value>,
    /// Code by the exact hash of its value; codes whose hash an earlier
    /// code already has are in `collided`.
    by_hash: ByHash<u32>,
    collided: Vec<(u64, u32)>,
    hasher: foldhash::fast::FixedState,
    /// The code of the value written last: runs of one value (the credits
    /// of one deal) need no hashing.
    last: Option<u32>,
    /// The codes of dates, found by day without hashing.
    days: DayCodes,
}

/// The codes of the dates of a coded column by their day, over a span of
/// days around the first date written (dates outside it are hashed).
#[derive(Clone, Debug, Default)]
struct DayCodes {
    /// The span's first day (days from the common era).
    first: i32,
    /// Each day's code plus one; zero while the day has none.
    codes: Vec<u32>,
}

/// The days a [`DayCodes`] spans: 22 years, centred on the first date.
const DAY_SPAN: usize = 1 << 13;

impl DayCodes {
    fn slot(&self, day: i32) -> Option<usize> {
        usize::try_from(day.checked_sub(self.first)?)
            .ok()
            .filter(|i| *i < self.codes.len())
    }

    /// The code of `day`, if it has one yet.
    fn find(&self, day: i32) -> Option<u32> {
        let code = *self.codes.get(self.slot(day)?)?;
        code.checked_sub(1)
    }

    /// Notes that `day` has `code`.
    fn note(&mut self, day: i32, code: u32) {
        if self.codes.is_empty() {
            self.first = day.saturating_sub(DAY_SPAN as i32 / 2);
            self.codes = vec![0; DAY_SPAN];
        }
        if let Some(i) = self.slot(day) {
            if let Some(slot) = self.codes.get_mut(i) {
                *slot = code.saturating_add(1);
            }
        }
    }
}

impl Default for Coded {
    fn default() -> Coded {
        Coded {
            id: crate::unique_id(),
            codes: Codes::default(),
            dict: Vec::new(),
            by_hash: ByHash::default(),
            collided: Vec::new(),
            hasher: foldhash::fast::FixedState::default(),
            last: None,
            days: DayCodes::default(),
        }
    }
}

impl Clone for Coded {
    fn clone(&self) -> Coded {
        Coded {
            id: crate::unique_id(),
            codes: self.codes.clone(),
            dict: self.dict.clone(),
            by_hash: self.by_hash.clone(),
            collided: self.collided.clone(),
            hasher: self.hasher.clone(),
            last: self.last,
            days: self.days.clone(),
        }
    }
}

impl Coded {
    /// The code of `v`, adding it to the dictionary if it is new; `None`
    /// when `v` cannot be coded (lists, maps, tables, records).
    fn code(&mut self, v: &Value) -> Option<u32> {
        if let Value::Date(d) = v {
            let day = d.num_days_from_ce();
            let code = match self.days.find(day) {
                Some(code) => code,
                None => {
                    let code = self.lookup(v)?;
                    self.days.note(day, code);
                    code
                }
            };
            self.last = Some(code);
            return Some(code);
        }
        if let Some(last) = self.last {
            if self.dict.get(last as usize).is_some_and(|d| same(d, v)) {
                return Some(last);
            }
        }
        let code = self.lookup(v)?;
        self.last = Some(code);
        Some(code)
    }

    fn lookup(&mut self, v: &Value) -> Option<u32> {
        // A few values (the roles and rules of credits) are found sooner
        // by looking at each than by hashing.
        if self.dict.len() <= FEW {
            if let Some(code) = self.dict.iter().position(|d| same(d, v)) {
                return u32::try_from(code).ok();
            }
        }
        let hash = self.exact_hash(v)?;
        match self.by_hash.get(&hash) {
            None => {
                let code = self.add(v);
                self.by_hash.insert(hash, code);
                Some(code)
            }
            Some(&first) => {
                if self.dict.get(first as usize).is_some_and(|d| same(d, v)) {
                    return Some(first);
                }
                let dict = &self.dict;
                let found = self
                    .collided
                    .iter()
                    .find(|(h, c)| *h == hash && dict.get(*c as usize).is_some_and(|d| same(d, v)));
                match found {
                    Some((_, c)) => Some(*c),
                    None => {
                        let code = self.add(v);
                        self.collided.push((hash, code));
                        Some(code)
                    }
                }
            }
        }
    }

    fn add(&mut self, v: &Value) -> u32 {
        let code = u32::try_from(self.dict.len()).unwrap_or(u32::MAX);
        self.dict.push(v.clone());
        code
    }

    fn exact_hash(&self, v: &Value) -> Option<u64> {
        let mut h = self.hasher.build_hasher();
        exact_hash(v, &mut h)?;
        Some(h.finish())
    }

    /// True, while values are still coming, when nearly every value is
    /// new (ids, amounts). Values that repeat only after many rows (a
    /// reference to one of many accounts, rows in no order) look new for a
    /// long while; they stay coded until [`Coded::not_worth_it`] decides.
    fn all_new(&self) -> bool {
        let (distinct, rows) = (self.dict.len(), self.codes.len());
        distinct > ALWAYS_CODED && rows >= DECIDE_AFTER && distinct * 10 > rows * 9
    }

    /// True, once the values are all in, when codes cost more than they
    /// save (more than half the values distinct).
    fn not_worth_it(&self) -> bool {
        let (distinct, rows) = (self.dict.len(), self.codes.len());
        distinct > ALWAYS_CODED && distinct * 2 > rows
    }

    fn decode(&self) -> Vec<Value> {
        self.codes
            .iter()
            .map(|c| self.dict.get(c as usize).cloned().unwrap_or(Value::None))
            .collect()
    }
}

/// Appends each of `theirs` to the column of `mine` at its position: the
/// columns are dealt out in turn to up to `threads` threads (a column's
/// appending is one copy, or one recoding, of all its rows). The columns
/// are not [settled](Column::settle): more rows may come (a table being
/// loaded in parts), and a small first part is no sign of a small table.
pub fn append_columns(mine: &mut [Column], theirs: Vec<Column>, threads: usize) {
    let threads = threads.clamp(1, mine.len().max(1));
    let mut shares: Vec<Vec<(&mut Column, Column)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, pair) in mine.iter_mut().zip(theirs).enumerate() {
        if let Some(share) = shares.get_mut(i % threads) {
            share.push(pair);
        }
    }
    let append = |share: Vec<(&mut Column, Column)>| {
        for (mine, theirs) in share {
            mine.append_values(theirs);
        }
    };
    let mut shares = shares.into_iter();
    let first = shares.next();
    std::thread::scope(|scope| {
        for share in shares {
            scope.spawn(move || append(share));
        }
        if let Some(share) = first {
            append(share);
        }
    });
}

/// Hashes `v` by its exact form (numbers with their scale); `None` for
/// values that are not coded.
fn exact_hash(v: &Value, h: &mut impl Hasher) -> Option<()> {
    tag(v).hash(h);
    match v {
        Value::None => {}
        Value::Bool(b) => b.hash(h),
        Value::Int(i) => i.hash(h),
        Value::Decimal(d) | Value::Percent(d) => d.serialize().hash(h),
        Value::Money(m) => {
            m.amount.serialize().hash(h);
            m.currency.hash(h);
        }
        Value::Date(d) => d.hash(h),
        Value::Period(p) => p.hash(h),
        Value::Text(t) => t.hash(h),
        Value::Territory(t) => t.hash(h),
        Value::Row(r) => r.hash(h),
        Value::List(_) | Value::Map(_) | Value::Table(_) | Value::Record(_) => return None,
    }
    Some(())
}

/// The tag a value's exact hash starts with (one per kind).
fn tag(v: &Value) -> u8 {
    match v {
        Value::None => 0,
        Value::Bool(_) => 1,
        Value::Int(_) => 2,
        Value::Decimal(_) => 3,
        Value::Percent(_) => 4,
        Value::Money(_) => 5,
        Value::Date(_) => 6,
        Value::Period(_) => 7,
        Value::Text(_) => TEXT_TAG,
        Value::Territory(_) => 9,
        Value::Row(_) => 10,
        Value::List(_) => 11,
        Value::Map(_) => 12,
        Value::Table(_) => 13,
        Value::Record(_) => 14,
    }
}

/// The tag of text values (see [`Column::push_str`]).
const TEXT_TAG: u8 = 8;

/// Exact equality: the same kind and the same written form.
fn same(a: &Value, b: &Value) -> bool {
    let exact = |x: &Decimal, y: &Decimal| x.serialize() == y.serialize();
    match (a, b) {
        (Value::Decimal(x), Value::Decimal(y)) | (Value::Percent(x), Value::Percent(y)) => {
            exact(x, y)
        }
        (Value::Money(x), Value::Money(y)) => {
            exact(&x.amount, &y.amount) && x.currency == y.currency
        }
        (Value::Text(x), Value::Text(y)) => std::sync::Arc::ptr_eq(x, y) || same_text(x, y),
        _ => std::mem::discriminant(a) == std::mem::discriminant(b) && a == b,
    }
}

/// `a == b`, compared in a few word-sized reads when the texts are short
/// (as nearly every cell is) rather than by a call to `memcmp`, which
/// costs more than the comparison itself.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    fn word<const N: usize>(s: &[u8], at: usize) -> Option<[u8; N]> {
        s.get(at..at + N)?.try_into().ok()
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..4 => a == b,
        4..8 => word::<4>(a, 0) == word(b, 0) && word::<4>(a, n - 4) == word(b, n - 4),
        8..=16 => word::<8>(a, 0) == word(b, 0) && word::<8>(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

static NONE: Value = Value::None;

/// Writes `value` into `slots[row]` (out of range: nothing happens).
fn put<T>(slots: &mut [T], row: usize, value: T) {
    if let Some(slot) = slots.get_mut(row) {
        *slot = value;
    }
}

impl Column {
    /// An empty column.
    pub fn new(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            data: Data::default(),
        }
    }

    /// An empty column that keeps its values plain from the start, for
    /// values known to be (nearly) all distinct: keys, amounts.
    pub fn plain(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            data: Data::Plain(Vec::new()),
        }
    }

    /// An empty column called `name` that keeps its values as `like`
    /// does: coded, plain, or packed as it packs them. The part of a table
    /// read on another thread starts as the table is, instead of finding
    /// again, row by row, that its amounts are not worth coding.
    pub fn empty_like(name: impl Into<String>, like: &Column) -> Column {
        let data = match &like.data {
            Data::Coded(_) => Data::default(),
            Data::Plain(_) => Data::Plain(Vec::new()),
            Data::Typed(t) => Data::Typed(t.empty_like()),
        };
        Column {
            name: name.into(),
            data,
        }
    }

    /// A column of `values`.
    pub fn from_values(name: impl Into<String>, values: Vec<Value>) -> Column {
        let mut column = Column::new(name);
        column.reserve(values.len());
        for v in values {
            column.push(v);
        }
        column.settle();
        column
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::Coded(c) => c.codes.len(),
            Data::Plain(v) => v.len(),
            Data::Typed(t) => t.len(),
        }
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value on `row`: borrowed where the column holds it as a
    /// value, made where it is packed.
    #[inline]
    pub fn get(&self, row: usize) -> Option<Cow<'_, Value>> {
        match &self.data {
            Data::Coded(c) => c
                .codes
                .get(row)
                .map(|code| Cow::Borrowed(c.dict.get(code as usize).unwrap_or(&NONE))),
            Data::Plain(v) => v.get(row).map(Cow::Borrowed),
            Data::Typed(t) => t.get(row).map(Cow::Owned),
        }
    }

    /// `f` of the value on `row` (none when out of range). A packed value
    /// is made in place for `f` to read, not handed out: loops that
    /// read many cells (a report's sums) avoid copying it around.
    #[inline]
    pub fn read<R>(&self, row: usize, f: impl FnOnce(&Value) -> R) -> R {
        match &self.data {
            Data::Coded(c) => f(c
                .codes
                .get(row)
                .and_then(|code| c.dict.get(code as usize))
                .unwrap_or(&NONE)),
            Data::Plain(v) => f(v.get(row).unwrap_or(&NONE)),
            Data::Typed(t) => t.read(row, f),
        }
    }

    /// The currency, integer and scale of the money on `row`, read where
    /// it is packed; `None` for anything else (none included), which is
    /// then read as a value.
    #[inline]
    pub(crate) fn money_units_at(&self, row: usize) -> Option<(crate::Currency, i64, u32)> {
        match &self.data {
            Data::Typed(t) => t.units_at(row),
            Data::Coded(_) | Data::Plain(_) => None,
        }
    }

    /// The row the value on `row` refers to, when it is a reference.
    #[inline]
    pub fn row_at(&self, row: usize) -> Option<crate::value::RowRef> {
        match &self.data {
            Data::Typed(t) => t.row_at(row),
            _ => self.read(row, |v| match v {
                Value::Row(r) => Some(*r),
                _ => None,
            }),
        }
    }

    /// The text on `row`, read in place (none for other values).
    pub fn str_at(&self, row: usize) -> Option<&str> {
        match &self.data {
            Data::Typed(t) => t.str_at(row),
            Data::Coded(_) | Data::Plain(_) => match self.get(row)? {
                Cow::Borrowed(Value::Text(s)) => Some(s),
                _ => None,
            },
        }
    }

    /// Hashes the value on `row` as a key (see [`hash_key`]), a text
    /// where it is.
    pub(crate) fn hash_key_at<H: Hasher>(&self, row: usize, h: &mut H) {
        match self.str_at(row) {
            Some(s) => hash_key_text(s, h),
            None => hash_key(&self.get(row).unwrap_or(Cow::Borrowed(&NONE)), h),
        }
    }

    /// True when the value on `row` is the key `key` (see [`same_key`]).
    pub(crate) fn same_key_at(&self, row: usize, key: &Value) -> bool {
        match self.str_at(row) {
            Some(s) => matches!(key, Value::Text(k) if **k == *s),
            None => self.get(row).is_some_and(|v| same_key(&v, key)),
        }
    }

    /// True when the values on rows `a` and `b` are one key.
    pub(crate) fn same_key_rows(&self, a: usize, b: usize) -> bool {
        match (self.str_at(a), self.str_at(b)) {
            (Some(x), Some(y)) => x == y,
            (Some(_), None) | (None, Some(_)) => false,
            (None, None) => self.get(b).is_some_and(|v| self.same_key_at(a, &v)),
        }
    }

    /// The values, in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Cow<'_, Value>> + '_ {
        (0..self.len()).map(|row| self.get(row).unwrap_or(Cow::Borrowed(&NONE)))
    }

    /// The values, copied out in row order.
    pub fn to_values(&self) -> Vec<Value> {
        match &self.data {
            Data::Coded(c) => c.decode(),
            Data::Plain(v) => v.clone(),
            Data::Typed(t) => t.to_values(),
        }
    }

    /// The id of the column's dictionary and the codes of its rows, when
    /// the column is coded (see [`Column::code_at`]).
    pub(crate) fn codes_with_id(&self) -> Option<(u64, &Codes)> {
        match &self.data {
            Data::Coded(c) => Some((c.id, &c.codes)),
            Data::Plain(_) | Data::Typed(_) => None,
        }
    }

    /// The id of the column's dictionary and the code of the value on
    /// `row`, when the column is coded: under one id, a code always
    /// means the same value of [`Column::coded`]'s list.
    pub fn code_at(&self, row: usize) -> Option<(u64, u32)> {
        match &self.data {
            Data::Coded(c) => Some((c.id, c.codes.get(row)?)),
            Data::Plain(_) | Data::Typed(_) => None,
        }
    }

    /// The distinct values and each row's index into them, when the
    /// column is coded.
    pub fn coded(&self) -> Option<(&Codes, &[Value])> {
        match &self.data {
            Data::Coded(c) => Some((&c.codes, &c.dict)),
            Data::Plain(_) | Data::Typed(_) => None,
        }
    }

    /// Appends a value.
    pub fn push(&mut self, v: Value) {
        match &mut self.data {
            Data::Plain(values) if !values.is_empty() => values.push(v),
            _ => self.push_ref(&v),
        }
    }

    /// Appends a copy of `v`; a coded column that holds `v` already takes
    /// its code and copies nothing.
    pub fn push_ref(&mut self, v: &Value) {
        match &mut self.data {
            Data::Coded(c) => match c.code(v) {
                Some(code) => {
                    c.codes.push(code);
                    if c.all_new() {
                        self.make_plain();
                    }
                }
                None => {
                    // (lists, maps, tables and records are not coded)
                    self.make_plain();
                    self.push_ref(v);
                }
            },
            Data::Plain(values) if values.is_empty() => match Typed::for_value(v) {
                Some(mut typed) => {
                    typed.reserve(values.capacity());
                    typed.push(v);
                    self.data = Data::Typed(typed);
                }
                None => values.push(v.clone()),
            },
            Data::Plain(values) => values.push(v.clone()),
            Data::Typed(t) => {
                if !t.push(v) {
                    self.make_values();
                    if let Data::Plain(values) = &mut self.data {
                        values.push(v.clone());
                    }
                }
            }
        }
    }

    /// Appends money `amount` in `currency`: what pushing the value
    /// does, without making it when the column packs money.
    pub fn push_money(&mut self, amount: Decimal, currency: crate::Currency) {
        if let Data::Typed(Typed::Money {
            currency: packed,
            amounts,
        }) = &mut self.data
        {
            if *packed == currency && amounts.push(Some(&amount)) {
                return;
            }
        }
        self.push(Value::Money(crate::Money::new(amount, currency)));
    }

    /// Appends none: what pushing the value does, written as the code
    /// of the none written last when there is one (the blank cells of an
    /// optional column, one after another).
    #[inline]
    pub fn push_none(&mut self) {
        if let Data::Coded(c) = &mut self.data {
            if let Some(last) = c.last {
                if matches!(c.dict.get(last as usize), Some(Value::None)) {
                    c.codes.push(last);
                    return;
                }
            }
        }
        self.push_ref(&NONE);
    }

    /// Appends a reference to row `row`: what pushing the value does,
    /// written straight in when the column packs references to its table.
    #[inline]
    pub fn push_row(&mut self, row: RowRef) {
        if let Data::Typed(t) = &mut self.data {
            if t.push_row(row) {
                return;
            }
        }
        self.push_ref(&Value::Row(row));
    }

    /// Appends the date `date`: what pushing the value does, without
    /// making it when the column holds the date already.
    pub fn push_date(&mut self, date: chrono::NaiveDate) {
        if let Data::Coded(c) = &mut self.data {
            if let Some(code) = c.days.find(date.num_days_from_ce()) {
                c.codes.push(code);
                c.last = Some(code);
                return;
            }
        }
        self.push(Value::Date(date));
    }

    /// Appends the text `s`, without making a copy of it when the column
    /// already holds it.
    pub fn push_str(&mut self, s: &str) {
        if let Data::Typed(t) = &mut self.data {
            if t.push_str(s) {
                return;
            }
        }
        if let Data::Coded(c) = &mut self.data {
            // A run of one text (the opportunities of one account) is
            // not hashed again.
            if let Some(last) = c.last {
                if matches!(c.dict.get(last as usize), Some(Value::Text(t)) if same_text(t, s)) {
                    c.codes.push(last);
                    return;
                }
            }
            let mut h = c.hasher.build_hasher();
            TEXT_TAG.hash(&mut h);
            s.hash(&mut h);
            let hash = h.finish();
            let known = c.by_hash.get(&hash).copied().filter(
                |code| matches!(c.dict.get(*code as usize), Some(Value::Text(t)) if same_text(t, s)),
            );
            if let Some(code) = known {
                c.codes.push(code);
                c.last = Some(code);
                return;
            }
        }
        self.push(Value::Text(std::sync::Arc::from(s)));
    }

    /// The code of `v` in this coded column, added to its values if it is
    /// new; `None` when the column is not coded or `v` cannot be coded.
    /// Rows then take it through [`Column::push_code`].
    pub(crate) fn intern(&mut self, v: &Value) -> Option<u32> {
        match &mut self.data {
            Data::Coded(c) => c.code(v),
            Data::Plain(_) | Data::Typed(_) => None,
        }
    }

    /// Appends the value whose code [`Column::intern`] gave; false, and
    /// nothing written, when the column no longer holds that code.
    #[inline(always)]
    pub(crate) fn push_code(&mut self, code: u32) -> bool {
        match &mut self.data {
            Data::Coded(c) if (code as usize) < c.dict.len() => {
                c.codes.push(code);
                true
            }
            Data::Coded(_) | Data::Plain(_) | Data::Typed(_) => false,
        }
    }

    /// Pushes `v`, trying the code in `hint` first (the code of the value
    /// the same source gave last time: a rule's constant value); `hint`
    /// then holds `v`'s code.
    pub fn push_hinted(&mut self, v: &Value, hint: &mut Option<u32>) {
        if let Data::Coded(c) = &mut self.data {
            if let Some(code) = *hint {
                if c.dict.get(code as usize).is_some_and(|d| same(d, v)) {
                    c.codes.push(code);
                    return;
                }
            }
        }
        self.push_ref(v);
        if let Data::Coded(c) = &self.data {
            *hint = c.codes.last();
        }
    }

    /// Replaces the value on `row` (out of range: nothing happens).
    pub fn set(&mut self, row: usize, v: Value) {
        if row >= self.len() {
            return;
        }
        match &mut self.data {
            Data::Coded(c) => match c.code(&v) {
                Some(code) => c.codes.set(row, code),
                None => {
                    self.make_plain();
                    self.set(row, v);
                }
            },
            Data::Plain(values) => {
                if let Some(slot) = values.get_mut(row) {
                    *slot = v;
                }
            }
            Data::Typed(t) => {
                if !t.set(row, &v) {
                    self.make_values();
                    self.set(row, v);
                }
            }
        }
    }

    /// The column's items: its distinct values when it is coded, else
    /// the value of every row. Work done once per item (and put back with
    /// [`Column::map_items`]) is done once per distinct value where values
    /// repeat.
    pub fn items(&self) -> Cow<'_, [Value]> {
        match &self.data {
            Data::Coded(c) => Cow::Borrowed(&c.dict),
            Data::Plain(v) => Cow::Borrowed(v),
            Data::Typed(t) => Cow::Owned(t.to_values()),
        }
    }

    /// The number of [`Column::items`] (without making them).
    pub fn item_count(&self) -> usize {
        match &self.data {
            Data::Coded(c) => c.dict.len(),
            Data::Plain(_) | Data::Typed(_) => self.len(),
        }
    }

    /// The index in [`Column::items`] of the value on `row`.
    pub fn item_of(&self, row: usize) -> Option<usize> {
        match &self.data {
            Data::Coded(c) => c.codes.get(row).map(|code| code as usize),
            Data::Plain(_) | Data::Typed(_) => (row < self.len()).then_some(row),
        }
    }

    /// Replaces every item by `f(index, item)`.
    pub fn map_items(&mut self, mut f: impl FnMut(usize, &Value) -> Value) {
        match &mut self.data {
            Data::Coded(c) => {
                let mapped: Vec<Value> = c.dict.iter().enumerate().map(|(i, v)| f(i, v)).collect();
                // References to many rows (the accounts of deals) are kept
                // as row numbers: as small as their codes, and followed
                // with no dictionary in between.
                if mapped.len() > ALWAYS_CODED
                    && mapped.len().saturating_mul(MANY_ROWS) >= c.codes.len()
                {
                    if let Some(typed) = Typed::rows_by_code(&mapped, &mut c.codes) {
                        self.data = Data::Typed(typed);
                        return;
                    }
                }
                let codes = std::mem::take(&mut c.codes);
                let mut fresh = Coded::default();
                let mut remap = Vec::with_capacity(mapped.len());
                for v in &mapped {
                    match fresh.code(v) {
                        Some(code) => remap.push(code),
                        None => {
                            let plain = codes
                                .iter()
                                .map(|code| {
                                    mapped.get(code as usize).cloned().unwrap_or(Value::None)
                                })
                                .collect();
                            self.data = Data::Plain(plain);
                            return;
                        }
                    }
                }
                fresh.codes.extend_remapped(&codes, &remap);
                *c = fresh;
            }
            Data::Plain(values) => {
                for (i, v) in values.iter_mut().enumerate() {
                    *v = f(i, v);
                }
            }
            Data::Typed(t) => {
                let values = t.to_values();
                let mut mapped = Column::plain(std::mem::take(&mut self.name));
                mapped.reserve(values.len());
                for (i, v) in values.iter().enumerate() {
                    mapped.push(f(i, v));
                }
                *self = mapped;
            }
        }
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        match &mut self.data {
            Data::Coded(c) => c.codes.truncate(len),
            Data::Plain(v) => v.truncate(len),
            Data::Typed(t) => t.truncate(len),
        }
    }

    /// Pads with none up to `len` values, or keeps the first `len`.
    pub fn resize(&mut self, len: usize) {
        self.truncate(len);
        while self.len() < len {
            self.push(Value::None);
        }
    }

    /// Reserves room for `rows` more values.
    pub fn reserve(&mut self, rows: usize) {
        match &mut self.data {
            Data::Coded(c) => c.codes.reserve(rows),
            Data::Plain(v) => v.reserve(rows),
            Data::Typed(t) => t.reserve(rows),
        }
    }

    /// Appends the values of `other`, then [settles](Column::settle).
    pub fn append(&mut self, other: Column) {
        self.append_values(other);
        self.settle();
    }

    /// Turns a coded column plain when its codes cost more than they save
    /// (a column decides this as its values come, and for good once they
    /// are all in: tables settle their columns when they are built).
    pub fn settle(&mut self) {
        if matches!(&self.data, Data::Coded(c) if c.not_worth_it()) {
            self.make_plain();
        }
        // A text read from a packed column is copied out; a small table
        // (the reps of a roll-up, read per credit) keeps its texts as
        // values, to be read in place.
        if matches!(&self.data, Data::Typed(t) if t.is_texts() && t.len() < PACKED_TEXTS) {
            self.make_values();
        }
    }

    fn append_values(&mut self, other: Column) {
        if self.is_empty() {
            self.data = other.data;
            return;
        }
        match (&mut self.data, other.data) {
            (Data::Coded(mine), Data::Coded(theirs)) => {
                let mut remap = Vec::with_capacity(theirs.dict.len());
                for v in &theirs.dict {
                    remap.push(mine.code(v).unwrap_or(0));
                }
                mine.codes.extend_remapped(&theirs.codes, &remap);
            }
            (Data::Plain(mine), Data::Plain(theirs)) => mine.extend(theirs),
            (Data::Typed(mine), Data::Typed(theirs)) => {
                if let Err(theirs) = mine.append(theirs) {
                    self.make_values();
                    if let Data::Plain(mine) = &mut self.data {
                        mine.extend(theirs.to_values());
                    }
                }
            }
            (_, theirs) => {
                let theirs = Column {
                    name: String::new(),
                    data: theirs,
                };
                if self.is_coded() {
                    self.make_plain();
                }
                self.reserve(theirs.len());
                for v in theirs.iter() {
                    self.push_ref(&v);
                }
            }
        }
    }

    /// Turns a coded column plain: packed when its values are all of one
    /// kind that packs, else a value per row.
    fn make_plain(&mut self) {
        if let Data::Coded(c) = &self.data {
            let room = c.codes.capacity().saturating_sub(c.codes.len());
            let values = c
                .codes
                .iter()
                .map(|code| c.dict.get(code as usize).unwrap_or(&NONE));
            self.data = match Typed::of_values(values) {
                Some(mut typed) => {
                    typed.reserve(room);
                    Data::Typed(typed)
                }
                None => {
                    let mut values = c.decode();
                    values.reserve(room);
                    Data::Plain(values)
                }
            };
        }
    }

    /// Turns the column into a plain value per row.
    fn make_values(&mut self) {
        match &self.data {
            Data::Plain(_) => {}
            Data::Coded(c) => self.data = Data::Plain(c.decode()),
            Data::Typed(t) => self.data = Data::Plain(t.to_values()),
        }
    }

    /// True when the column keeps its values coded (for tests).
    pub fn is_coded(&self) -> bool {
        matches!(self.data, Data::Coded(_))
    }

    /// True when the column keeps its values packed (for tests).
    pub fn is_packed(&self) -> bool {
        matches!(self.data, Data::Typed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use proptest::prelude::*;

    fn sample() -> Vec<Value> {
        vec![
            Value::text("Closed Won"),
            Value::Decimal(Decimal::new(10, 1)),
            Value::Decimal(Decimal::new(1, 0)),
            Value::Int(1),
            Value::None,
            Value::Money(Money::new(Decimal::new(500, 2), Currency(*b"USD"))),
            Value::Money(Money::new(Decimal::new(5, 0), Currency(*b"USD"))),
            Value::Money(Money::new(Decimal::new(500, 2), Currency(*b"EUR"))),
            Value::text("Closed Won"),
            Value::Percent(Decimal::new(1, 0)),
        ]
    }

    fn shown(v: &Value) -> String {
        format!("{v:?}")
    }

    #[test]
    fn values_read_back_exactly_as_written() {
        let values = sample();
        let column = Column::from_values("c", values.clone());
        assert!(column.is_coded());
        // `1.0`, `1`, `1` (Int) and `1` (Percent) are four values here.
        let (_, dict) = column.coded().unwrap();
        assert_eq!(dict.len(), 9);
        let back: Vec<String> = column.iter().map(|v| shown(&v)).collect();
        assert_eq!(back, values.iter().map(shown).collect::<Vec<_>>());
    }

    #[test]
    fn many_distinct_values_make_a_column_plain() {
        let values: Vec<Value> = (0..10_000).map(Value::Int).collect();
        let column = Column::from_values("ids", values.clone());
        assert!(!column.is_coded());
        assert_eq!(column.to_values(), values);
        let repeated: Vec<Value> = (0..100_000).map(|i| Value::Int(i % 5_000)).collect();
        assert!(Column::from_values("c", repeated).is_coded());
        // 20,000 values ten times each, in no order: they repeat only
        // late, and still end coded.
        let scattered: Vec<Value> = (0..200_000i64)
            .map(|i| Value::Int(i * 7_919 % 20_000))
            .collect();
        let column = Column::from_values("c", scattered.clone());
        assert!(column.is_coded());
        assert_eq!(column.to_values(), scattered);
    }

    /// Keys resolved to rows: references to many rows (one in ten rows a
    /// new account) are kept as row numbers, references to a few (reps)
    /// stay coded, a key that resolves to none keeps the column coded;
    /// every row reads back the row its key resolved to.
    #[test]
    fn resolved_references_to_many_rows_are_kept_as_row_numbers() {
        let row = |r: u32| {
            Value::Row(crate::RowRef {
                table: tally_check::TableId(1),
                row: r,
            })
        };
        // (more than 65,536 values: four-byte codes, made rows in place)
        for (distinct, rows, none_at, packed) in [
            (5_000u32, 50_000u32, None, true),
            (50, 50_000, None, false),
            (5_000, 50_000, Some(7), false),
            (70_000, 140_000, None, true),
            (70_000, 140_000, Some(69_999), false),
        ] {
            let per_value = rows / distinct;
            let keys: Vec<Value> = (0..rows)
                .map(|i| Value::text(&format!("K-{}", (i / per_value) % distinct)))
                .collect();
            let mut column = Column::from_values("c", keys.clone());
            assert!(column.is_coded());
            let resolve = |v: &Value| match v {
                Value::Text(t) => {
                    let n: u32 = t.trim_start_matches("K-").parse().unwrap();
                    if Some(n) == none_at {
                        Value::None
                    } else {
                        row(n * 3)
                    }
                }
                _ => Value::None,
            };
            column.map_items(|_, v| resolve(v));
            assert_eq!(
                column.is_packed(),
                packed,
                "{distinct} distinct, none at {none_at:?}"
            );
            let expected: Vec<Value> = keys.iter().map(resolve).collect();
            assert_eq!(column.to_values(), expected);
        }
    }

    #[test]
    fn texts_pushed_as_str_are_the_texts_pushed_as_values() {
        let mut by_str = Column::new("c");
        let mut by_value = Column::new("c");
        for t in ["Won", "Lost", "Won", "", "Lost"] {
            by_str.push_str(t);
            by_value.push(Value::text(t));
        }
        assert_eq!(by_str.to_values(), by_value.to_values());
        assert_eq!(by_str.coded().map(|(_, d)| d.len()), Some(3));
        // A text after other values: still one dictionary entry per text.
        by_str.push(Value::Int(1));
        by_str.push_str("Won");
        assert_eq!(by_str.coded().map(|(_, d)| d.len()), Some(4));
    }

    #[test]
    fn parts_appended_while_loading_are_settled_only_with_the_table() {
        let ids = |from: usize, to: usize| {
            let mut c = Column::plain("id");
            for i in from..to {
                c.push_str(&format!("O-{i:08}"));
            }
            c
        };
        // A first part of a few rows is no sign of a small table: the
        // texts of a large one stay packed until it is built.
        let mut columns = vec![ids(0, 10)];
        append_columns(&mut columns, vec![ids(10, 20)], 2);
        assert!(columns[0].is_packed());
        let mut table = crate::Table::new("t", &[]);
        table.len = 20;
        table.push_built_column(columns.remove(0));
        assert!(
            !table.columns[0].is_packed(),
            "a small table's texts are values"
        );
        assert_eq!(table.get(0, 19).into_owned(), Value::text("O-00000019"));
    }

    #[test]
    fn texts_are_the_same_exactly_when_their_bytes_are() {
        let text: String = ('a'..='z').collect();
        for n in 0..=text.len() {
            let a = &text[..n];
            assert!(same_text(a, a), "{a}");
            assert!(!same_text(a, &text[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut other = a.as_bytes().to_vec();
                other[at] = b'_';
                let b = String::from_utf8(other).unwrap();
                assert!(!same_text(a, &b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn dates_are_coded_by_day_and_read_back() {
        let day = |y, m, d| Value::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let dates = [
            day(2025, 3, 1),
            day(2026, 1, 31),
            day(2025, 3, 1),
            day(1990, 1, 1), // outside the span: hashed
            day(2026, 1, 31),
            day(1990, 1, 1),
            Value::text("2025-03-01"),
        ];
        let mut column = Column::new("d");
        for d in &dates {
            column.push_ref(d);
        }
        assert_eq!(column.coded().map(|(_, d)| d.len()), Some(4));
        assert_eq!(column.to_values(), dates);
        let mut copy = column.clone();
        copy.push_ref(&day(2026, 1, 31));
        assert_eq!(copy.coded().map(|(_, d)| d.len()), Some(4));
        assert_eq!(
            copy.get(7).map(std::borrow::Cow::into_owned),
            Some(day(2026, 1, 31))
        );
    }

    #[test]
    fn lists_make_a_column_plain() {
        let list = Value::List(vec![Value::Int(1)].into());
        let column = Column::from_values("c", vec![Value::Int(1), list.clone()]);
        assert!(!column.is_coded());
        assert_eq!(column.to_values(), vec![Value::Int(1), list]);
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::None),
            (0i64..6).prop_map(Value::Int),
            (0i64..6, 0u32..3).prop_map(|(m, s)| Value::Decimal(Decimal::new(m, s))),
            (0u8..4).prop_map(|i| Value::text(&format!("t{i}"))),
            (0i64..3).prop_map(|i| Value::List(vec![Value::Int(i)].into())),
            // days near each other, and days 40 years apart (outside the
            // span of days whose codes are found by day)
            (0i64..4, 0i64..2).prop_map(|(d, far)| {
                let first = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
                Value::Date(first + chrono::Days::new((d + far * 15_000) as u64))
            }),
        ]
    }

    /// Values that pack (references, money, texts), mostly of one kind,
    /// with a few that do not fit (another table, currency or kind).
    fn packable() -> impl Strategy<Value = Value> {
        let row = |table, row| {
            Value::Row(crate::value::RowRef {
                table: tally_check::TableId(table),
                row,
            })
        };
        let money = |code: &[u8; 3], units, scale| {
            Value::Money(Money::new(Decimal::new(units, scale), Currency(*code)))
        };
        prop_oneof![
            4 => (0u32..5).prop_map(move |r| row(0, r)),
            4 => (-300i64..300, 0u32..3).prop_map(move |(u, s)| money(b"USD", u, s)),
            // (past 4 bytes: the column's amounts widen)
            1 => ((1i64 << 27)..(1i64 << 40), 0u32..3).prop_map(move |(u, s)| money(b"USD", u, s)),
            4 => "[a-zé]{0,3}".prop_map(|t| Value::text(&t)),
            1 => Just(Value::None),
            1 => Just(row(1, 0)),
            1 => Just(money(b"EUR", 1, 0)),
            1 => Just(Value::Int(1)),
        ]
    }

    proptest! {
        /// A plain column (packed while its values are of one kind) gives
        /// back what a list of values gives, whatever is pushed, appended,
        /// set, mapped or cut.
        #[test]
        fn a_packed_column_behaves_as_a_list_of_values(
            kind in 0usize..3,
            first in proptest::collection::vec(packable(), 0..30),
            second in proptest::collection::vec(packable(), 0..30),
            sets in proptest::collection::vec((0usize..60, packable()), 0..6),
            cut in 0usize..70,
        ) {
            // Mostly one kind: keep the values of the kind drawn, and a
            // few others.
            let keep = |v: &Value, i: usize| {
                i % 9 == 8 || matches!((kind, v), (0, Value::Row(_)) | (1, Value::Money(_)) | (2, Value::Text(_)))
            };
            let pick = |vs: Vec<Value>| -> Vec<Value> {
                vs.into_iter().enumerate().filter(|(i, v)| keep(v, *i)).map(|(_, v)| v).collect()
            };
            let (first, second) = (pick(first), pick(second));
            let build = |vs: &[Value]| {
                let mut c = Column::plain("c");
                for v in vs {
                    match v {
                        Value::Text(t) => c.push_str(t),
                        v => c.push_ref(v),
                    }
                }
                c
            };
            let mut column = build(&first);
            let mut model = first;
            column.append(build(&second));
            model.extend(second);
            for (row, v) in sets {
                column.set(row, v.clone());
                if let Some(slot) = model.get_mut(row) {
                    *slot = v;
                }
            }
            let got: Vec<String> = column.iter().map(|v| shown(&v)).collect();
            prop_assert_eq!(got, model.iter().map(shown).collect::<Vec<_>>());
            for (row, v) in model.iter().enumerate() {
                prop_assert_eq!(column.str_at(row), match v { Value::Text(t) => Some(&**t), _ => None });
                prop_assert_eq!(column.row_at(row), match v { Value::Row(r) => Some(*r), _ => None });
                prop_assert_eq!(column.read(row, shown), shown(v));
            }
            column.truncate(cut);
            model.truncate(cut);
            column.map_items(|_, v| match v {
                Value::Text(t) => Value::text(&t.to_uppercase()),
                other => other.clone(),
            });
            let got: Vec<String> = column.iter().map(|v| shown(&v)).collect();
            let want: Vec<String> = model
                .iter()
                .map(|v| match v {
                    Value::Text(t) => shown(&Value::text(&t.to_uppercase())),
                    other => shown(other),
                })
                .collect();
            prop_assert_eq!(got, want);
        }

        /// Pushing, setting, appending and mapping a column gives what the
        /// same operations give on a plain list of values.
        #[test]
        fn a_column_behaves_as_a_list_of_values(
            first in proptest::collection::vec(value(), 0..40),
            second in proptest::collection::vec(value(), 0..40),
            sets in proptest::collection::vec((0usize..80, value()), 0..10),
        ) {
            let mut column = Column::from_values("c", first.clone());
            let mut model = first;
            column.append(Column::from_values("c", second.clone()));
            model.extend(second);
            for (row, v) in sets {
                column.set(row, v.clone());
                if let Some(slot) = model.get_mut(row) {
                    *slot = v;
                }
            }
            let bump = |v: &Value| match v {
                Value::Int(i) => Value::Int(i / 2),
                other => other.clone(),
            };
            column.map_items(|_, v| bump(v));
            let model: Vec<Value> = model.iter().map(bump).collect();
            let got: Vec<String> = column.iter().map(|v| shown(&v)).collect();
            prop_assert_eq!(got, model.iter().map(shown).collect::<Vec<_>>());
            prop_assert_eq!(column.len(), model.len());
        }

        /// Pushing with hints, right or wrong, pushes the values given.
        #[test]
        fn hints_never_change_the_values_pushed(
            pushes in proptest::collection::vec((value(), 0usize..3), 0..60),
        ) {
            let mut column = Column::new("c");
            let mut hints = [None, Some(0), Some(7)];
            for (v, h) in &pushes {
                if let Some(hint) = hints.get_mut(*h) {
                    column.push_hinted(v, hint);
                }
            }
            let got: Vec<String> = column.iter().map(|v| shown(&v)).collect();
            let want: Vec<String> = pushes.iter().map(|(v, _)| shown(v)).collect();
            prop_assert_eq!(got, want);
        }
    }
}
