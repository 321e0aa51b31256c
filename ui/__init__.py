"""What every feature shares: the catalogue, keyboards and message sending, callback data,
shared views, the access gate and the services type. Imports only domain, storage and config."""
