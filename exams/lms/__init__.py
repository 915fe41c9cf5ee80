"""Question banks for learning-management systems: N verified variants per exam slot,
exported as Moodle XML (and checked strictly before anyone uploads them)."""
