"""Stories: ordered scenes, each one chart of a page (at a drill level) plus a narrative
computed by dashboard/insights under the scene's filters and the viewer's scope."""
