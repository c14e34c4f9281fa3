//! SCALE-Sim 3.0.0's numbers: the recorded runs, and the file readers.

mod readers;
mod runs;
