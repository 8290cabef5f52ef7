"""slack-bolt adapter: the same chat core in a Slack workspace (slash command, DMs, modal, App Home)."""
