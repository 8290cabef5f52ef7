"""The conversations and commands of the chat core, one module per flow."""
