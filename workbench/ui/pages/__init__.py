"""Page scripts: each is run by st.navigation (as __main__) and defines a render() function."""
