"""The terminal: the chat core driven from memory or a keyboard (`teachlog chat`)."""
