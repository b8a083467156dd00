// The request path.
