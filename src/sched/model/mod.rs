//! The model's formulas and bounds that every stage of the search shares:
//! a layer's energy ([`energy`], the one formula the search ranks by and the
//! schedule reports), its lower bound ([`bound`]), the integer helpers the
//! model is defined with ([`factor`]: divisors and ordered factorizations)
//! and the limits that keep every count in range ([`limits`]).

pub(crate) mod bound;
pub(crate) mod energy;
pub(crate) mod factor;
pub(crate) mod limits;
