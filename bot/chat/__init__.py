"""The chat core: platform-neutral conversation flows.

An adapter in `handlers/` turns what its platform delivers into an
:class:`~bot.chat.events.Event`, hands it to :class:`~bot.chat.engine.ChatEngine`,
and turns the :class:`~bot.chat.replies.Reply` list it gets back into the
platform's calls. Nothing here imports a chat platform's library.
"""
