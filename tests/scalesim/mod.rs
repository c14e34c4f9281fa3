//! SCALE-Sim 3.0.0's numbers: the recorded runs, the file readers, and
//! `nnc schedule --compat scalesim` with the commands that read its file.

mod cli;
mod readers;
mod runs;
