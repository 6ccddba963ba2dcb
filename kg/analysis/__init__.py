"""The what-if analysis: who goes offline when edges are cut, why, and which providers matter most.

The reference engine works on a networkx graph of one viewpoint (a date or an instant, worldwide or in one
country), one Python object per actor:

* :mod:`kg.analysis.viewpoint`: the moment and region a question is asked at, and the facts valid then;
* :mod:`kg.analysis.graph`: :class:`~kg.analysis.graph.AnalysisGraph`, the dependencies valid at a viewpoint;
* :mod:`kg.analysis.scenario`: cuts, exits, owner and country groups, recorded cut-offs;
* :mod:`kg.analysis.impact`: statuses with their explanations (the least fixpoint of losses);
* :mod:`kg.analysis.alternatives`: who could replace a lost provider;
* :mod:`kg.analysis.faulttree`: single points of failure and minimal cut sets;
* :mod:`kg.analysis.criticality`: each provider's exit alone, and market concentration;
* :mod:`kg.analysis.sharedsets`: sets shared by many actors, computed once;
* :mod:`kg.analysis.status`: one actor at a viewpoint, with the observation beside the prediction;
* :mod:`kg.analysis.replay`: a platform's recorded history replayed and checked against what was observed.

The fast engine (:mod:`kg.analysis.arrays`) answers the same questions on arrays, for big data; tests hold
each pair to the same answers.

What it may import: :mod:`kg.errors`, the model, the input layer and the store's tables; never the views,
the SPARQL layer or the command line.
"""
