"""One engine module (or package) per lab, with the same stem as its page in pages/."""
