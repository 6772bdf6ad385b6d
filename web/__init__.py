"""Layer 3: HTTP surfaces — HTML UI, ActivityPub endpoints, .well-known, Mastodon API."""
