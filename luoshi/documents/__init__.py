"""Building blocks for office documents (xlsx, docx, pdf). No domain rules live here."""
