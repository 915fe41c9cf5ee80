"""From an exam spec to printable exams, keys and a manifest."""
