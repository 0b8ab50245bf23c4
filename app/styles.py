"""One place for the dashboard's look."""

# The brand color: the logo and the primary action of a page, nothing else (the theme's
# accent, indigo, marks links, focus and choices; red elsewhere means an error).
BRAND = "red"
SIDEBAR_WIDTH = "220px"
PAGE_MAX_WIDTH = "1280px"

card = {"padding": "1em", "width": "100%"}
stat_number = {"font_size": "2em", "font_weight": "700", "line_height": "1.1"}
muted = {"color": "var(--gray-11)"}
mono = {"font_family": "ui-monospace, SFMono-Regular, Menlo, monospace", "font_size": "0.9em"}
