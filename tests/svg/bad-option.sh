pd-svg --bogus
