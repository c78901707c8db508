"""The classroom: drills, live games and the class report across them."""
