"""Discord adapter for etstats (posts and a bot cog). Third-party imports are lazy."""
