"""The application form (telephone and postal), its incident grid and live threshold panel."""
