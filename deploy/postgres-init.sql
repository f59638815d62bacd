-- The app database (users, audit, sessions) beside the warehouse database, same server.
CREATE DATABASE app OWNER toypulse;
