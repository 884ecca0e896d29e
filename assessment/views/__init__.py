"""The pages of the base: log-in, home, account, admin (users, teams, rounds), errors."""
