// The config module: routes.yaml → typed values.
