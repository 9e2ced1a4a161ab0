"""Show whether the search index is in step with the database."""
from django.core.management.base import BaseCommand, CommandError

from search_index.management.commands.rebuild_index import human_size
from search_index.sync.rebuild import index_status


class Command(BaseCommand):
    help = ("Counts and documents in the database vs this node's index, its place in the change "
            "log, pending and failed changes.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true",
            help="Exit with a non-zero status when the index is not in step with the database.",
        )

    def handle(self, *args, **options):
        status = index_status()
        if options["verbosity"] >= 1:
            self._report(status)
        if options["check"] and not status["in_step"]:
            raise CommandError("The search index is not in step with the database.")

    def _report_documents(self, documents: dict | None) -> None:
        """Which documents differ from the database, by kind, with the first ids of each."""
        if documents is None:
            return
        counts = ", ".join(
            f"{documents[kind]} {kind}"
            for kind in ("missing", "extra", "stale", "duplicated", "waiting")
        )
        self.stdout.write(f"Documents differing from the database: {counts}")
        for kind, ids in documents["examples"].items():
            more = documents[kind] - len(ids)
            tail = f" and {more} more" if more > 0 else ""
            self.stdout.write(f"  {kind}: {' '.join(ids)}{tail}")

    def _report(self, status: dict) -> None:
        write = self.stdout.write
        write(f"Index path: {status['path']} ({human_size(status['size_bytes'])})")
        if status["available"]:
            write("Index: available")
        else:
            write(self.style.ERROR(f"Index: unavailable ({status['error']})"))
        write(f"{'type':<10}{'database':>10}{'index':>10}")
        for name, expected in status["database"].items():
            write(f"{name:<10}{expected:>10}{status['index'].get(name, 0):>10}")
        self._report_documents(status["documents"])
        node = status["node"]
        write(f"Node: {node['node']} at change {node['position']} of {node['head']}"
              f" ({node['behind']} behind, oldest waiting {node['lag_seconds']:.1f} s)")
        if node["needs_rebuild"]:
            write(self.style.WARNING("This node's index must be rebuilt: the change log has "
                                     "moved past it (process_index_queue does so)."))
        if node["last_error"]:
            write(self.style.ERROR(f"Last error: {node['last_error']}"))
        write(f"Pending changes: {status['pending']} (failed at least once: {status['failed']})")
        if status["oldest_pending_at"]:
            write(f"Oldest pending change: {status['oldest_pending_at']:%Y-%m-%d %H:%M:%S %Z}")
        last = status["last_applied_at"]
        write(f"Last applied change: {f'{last:%Y-%m-%d %H:%M:%S %Z}' if last else 'never'}")
        if status["in_step"]:
            write(self.style.SUCCESS("In step."))
        else:
            write(self.style.WARNING(
                "Not in step: run process_index_queue, reconcile_index or rebuild_index."
            ))
