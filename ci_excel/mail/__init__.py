"""`ci-excel send`: each department's report and feedback by e-mail, exactly once."""
