-- How the specialist signs in to the SMTP submission server (issue 14): with the password
-- (sealed under specialist/smtp-password), or with OAuth 2.0 at Microsoft (device code:
-- tenant and the app's client ID) or Google (browser + PKCE: client ID, the secret sealed
-- under specialist/smtp-client-secret). The token is sealed under specialist/smtp-token.
-- smtp_idp_url replaces the provider's endpoints (the demo's and the tests' fake).
ALTER TABLE specialist ADD COLUMN smtp_auth TEXT NOT NULL DEFAULT 'password' CHECK (smtp_auth IN ('password', 'microsoft', 'google'));
ALTER TABLE specialist ADD COLUMN smtp_tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE specialist ADD COLUMN smtp_client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE specialist ADD COLUMN smtp_idp_url TEXT NOT NULL DEFAULT '';
