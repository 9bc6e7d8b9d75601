http-serve: www: no such directory
