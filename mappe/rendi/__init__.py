"""Map builders: every HTML file mappe writes is built here, on top of folium."""
