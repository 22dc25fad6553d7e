-- One database per service (docker-compose mounts this into PostgreSQL's init directory).
CREATE DATABASE customers;
CREATE DATABASE catalog;
CREATE DATABASE inventory;
CREATE DATABASE orders;
CREATE DATABASE fulfillment;
CREATE DATABASE shipping;
CREATE DATABASE billing;
CREATE DATABASE sales;
