"""Made-up demo cases for trying the app and for benchmarks."""
