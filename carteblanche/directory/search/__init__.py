"""The directory's search, by concern.

- `answer`: `search_services`, the search itself (candidates from the offer index, then results);
- `filters`: what a result shows and why a candidate is left out, written once for full and light rows;
- `loading`: the rows a search reads (in full, or light), a batch at a time;
- `cache`: the rows kept per version of the offer (`core.process_cache`), prefilled on servers;
- `slots`: opening hours as a search shows them;
- `ranking`: the order of remote services, the one-glance summary;
- `results`: the shapes returned; `geo`: great-circle distances.

`directory.selectors` re-exports the public names.
"""
