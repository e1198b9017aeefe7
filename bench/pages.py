"""Which URL stands for each public page in a world: found in its database, same recipe in both."""

from .worlds import query

AS_OF = "2020-06-30"


def discover(world):
    url = world.url
    published = [
        r[0]
        for r in query(
            url, ("SELECT slug FROM policies_company WHERE editorial_status = 'published' ORDER BY slug")
        )
    ]
    largest = query(
        url,
        (
            "SELECT c.slug FROM policies_company c JOIN policies_statement s ON s.company_id = c.id "
            "WHERE c.editorial_status = 'published' GROUP BY c.slug ORDER BY count(*) DESC, c.slug LIMIT 1"
        ),
    )[0][0]
    median = published[len(published) // 2]
    policy = query(
        url,
        (
            "SELECT p.slug FROM policies_policy p JOIN policies_company c ON c.id = p.company_id "
            f"WHERE c.slug = '{median}' AND p.editorial_status = 'published' ORDER BY p.slug LIMIT 1"
        ),
    )[0][0]
    statement = query(
        url,
        (
            "SELECT s.id FROM policies_statement s JOIN policies_company c ON c.id = s.company_id "
            f"WHERE c.slug = '{median}' AND s.editorial_status = 'published' ORDER BY s.id LIMIT 1"
        ),
    )[0][0]
    return {
        "home": "/",
        "directory": "/companies/",
        "largest company": f"/companies/{largest}/",
        "median company": f"/companies/{median}/",
        "policy diff": f"/companies/{median}/policies/{policy}/",
        "search": "/search/?q=surveillance",
        "feed": "/feeds/changes/",
        "record history": f"/history/statement/{statement}/",
        "as_of page": f"/companies/{median}/?as_of={AS_OF}",
    }
