"""The GraphQL schema, split by domain: scalars, errors, dataloaders, then one module per
domain with its types and resolvers."""
