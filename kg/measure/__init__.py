"""Measuring a platform's providers on the live Internet (``kg measure``).

The layer that feeds the graph from the network. Each module owns one kind of question and returns plain
records, never RDF and never text for a terminal:

* :mod:`kg.measure.evidence`: :class:`~kg.measure.evidence.Evidence`, one question asked and its raw answer
  (what was asked, of which server, when, what came back): the source of every measured fact;
* :mod:`kg.measure.dns`: name servers, SOA, CNAME chains and addresses, asked of a resolver the caller
  gives (asyncio, dnspython);
* :mod:`kg.measure.asn`: an address's origin AS and its organisation, from a routing table and an
  AS-to-organisation file the user gives (nothing shipped or downloaded);
* :mod:`kg.measure.web`: the TLS certificate's issuer and OCSP stapling, the landing page's headers and
  third-party script hosts;
* :mod:`kg.measure.rdap`: the registrar, from the registry's RDAP server;
* :mod:`kg.measure.classify`: which provider an observed host, name server or AS belongs to, and whether it
  is the site's own or a third party, by the rules of the published studies, with the provider patterns
  kept as data (``providers.csv``);
* :mod:`kg.measure.findings`: what one site's measurements show, service by service (dns, hosting, cdn,
  certificate-authority, registrar, payments), each with its rule and the evidence it rests on;
* :mod:`kg.measure.periods`: successive runs merged into dated periods, and what changed between two runs;
* :mod:`kg.measure.assemble`: a measured domain's findings as the interchange format's rows (runs,
  evidence, entities, classified dependencies), written for ``kg import`` and ``kg load``;
* :mod:`kg.measure.run`: a run into a folder (:func:`~kg.measure.run.measure`): DNS, then each site's
  routes, web and registration;
* :mod:`kg.measure.runlog`: the run's append-only log of finished domains, which ``--resume`` carries on
  from and the tables are written from;
* :mod:`kg.measure.runfiles`: runs read back from those tables, and the steps between successive ones
  (``kg changes``);
* :mod:`kg.measure.hosts` (names as asked and compared: IDNA forms, registered domains) and
  :mod:`kg.measure.asking` (a polite rate per server, the User-Agent, a failed connection in one word),
  shared by the modules above.

What it may import: the standard library, its own modules, :mod:`kg.errors`, :mod:`kg.io.outputs` (files
written whole), :mod:`kg.model.countries` and the model (:mod:`kg.model.vocabulary`); never the store, the analysis or
the views. Tests never leave 127.0.0.1: every server (resolver, RDAP base, routing table, trust store) is a
parameter.
"""
