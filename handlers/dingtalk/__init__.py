"""DingTalk (钉钉): the Stream connection, the OpenAPI, and the translation of its messages to and from the core."""
