"""`cost report`: the monthly budget report (estimate vs budget vs actual spend) as Markdown, HTML and Excel."""
