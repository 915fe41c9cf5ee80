"""Reading scanned answer sheets: pages (input), register (page code and marks), bubbles
(fill and decision), reader (one page), session (`variantex scan`)."""
