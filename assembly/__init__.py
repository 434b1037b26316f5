"""Asamblea: run a popular assembly live — agenda, speakers' stack, decisions and minutes."""
