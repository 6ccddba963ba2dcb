"""Views: results shown as text, JSON, stories, interactive HTML and still pictures.

* :mod:`kg.views.text`: tables and reports for the terminal (strings, never printed here);
* :mod:`kg.views.jsondoc`: the JSON documents of ``--json``;
* :mod:`kg.views.story`: an impact told as a story, step by step;
* :mod:`kg.views.viewmodel`: the view model (:class:`~kg.views.viewmodel.View`): what a page shows, as data;
* :mod:`kg.views.html`: a view as a self-contained, interactive HTML page;
* :mod:`kg.views.overview`: thousands of actors drawn as a few hundred;
* :mod:`kg.views.snapshot`: SVG and PNG pictures of a view.

What it may import: everything below it (model, input and output, store, validation, analysis); never the
SPARQL layer, measurement or the command line.
"""
