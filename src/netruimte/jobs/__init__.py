"""Long work off the request path: the job queue in the database and its worker."""
