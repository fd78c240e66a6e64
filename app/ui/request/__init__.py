"""The request column and its result: attribute, ClientMetadata, Send, Result, Verify."""
