-- One database per service (docker-compose mounts this into PostgreSQL's init directory).
CREATE DATABASE catalog;
CREATE DATABASE customers;
CREATE DATABASE inventory;
CREATE DATABASE fulfillment;
CREATE DATABASE shipping;
CREATE DATABASE billing;
CREATE DATABASE sales;
CREATE DATABASE orders;
