//! The neutral provider end to end against the in-process simulator.
