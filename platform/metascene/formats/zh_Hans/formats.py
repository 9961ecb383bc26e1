# Budgets such as "2,000,000 triangles" read better grouped in thousands, as technical Chinese writes them;
# Django's zh_Hans default has no separator at all. Everything else falls back to Django's own formats.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
