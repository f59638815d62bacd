"""Reports and exports: any registered page's data (page_report) as JSON, CSV, PNG or PDF."""
