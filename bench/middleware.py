"""Queries per request, as a response header (only in the benchmark's settings)."""

from django.db import connection


def count_queries(get_response):
    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        return response

    return middleware
