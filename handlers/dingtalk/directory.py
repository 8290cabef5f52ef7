"""The organisation's staff from DingTalk's directory: every department under the root, and its users.

Legacy host calls (`DINGTALK_OAPI_URL`): `topapi/v2/department/listsub` for each
department's children, `topapi/v2/user/list` for each department's users, 100 a
page. Loaded by `teachlog members sync --platform dingtalk` through the
`teachlog.directories` entry point, so bot/ never imports this module.
"""

from __future__ import annotations

from bot.app_context import PlatformStartError
from bot.notifications.messenger import DeliveryError
from bot.people.staff_directory import DirectoryPerson
from bot.settings import Settings
from handlers.dingtalk.openapi import DingTalkOpenAPI

ROOT_DEPARTMENT = 1
#: The name people directly under the organisation are listed with (the root department has no name in listsub).
ROOT_NAME = ""
PAGE_SIZE = 100


async def departments(api: DingTalkOpenAPI) -> list[tuple[int, str]]:
    """Every department, the root first, then breadth first: (id, name)."""
    found, queue = [(ROOT_DEPARTMENT, ROOT_NAME)], [ROOT_DEPARTMENT]
    seen = {ROOT_DEPARTMENT}
    while queue:
        parent = queue.pop(0)
        answer = await api.legacy("/topapi/v2/department/listsub", {"dept_id": parent})
        for child in answer.get("result") or ():
            dept_id = int(child["dept_id"])
            if dept_id not in seen:
                seen.add(dept_id)
                found.append((dept_id, str(child.get("name") or dept_id)))
                queue.append(dept_id)
    return found


async def users_of(api: DingTalkOpenAPI, dept_id: int) -> list[tuple[str, str]]:
    """The department's users: (userid, name), page after page."""
    users, cursor = [], 0
    while True:
        answer = await api.legacy("/topapi/v2/user/list", {"dept_id": dept_id, "cursor": cursor, "size": PAGE_SIZE})
        result = answer.get("result") or {}
        users += [(str(user["userid"]), str(user.get("name") or "")) for user in result.get("list") or ()]
        if not result.get("has_more"):
            return users
        cursor = int(result["next_cursor"])


async def staff(api: DingTalkOpenAPI) -> list[DirectoryPerson]:
    """Everyone, once per department they are in."""
    return [DirectoryPerson(name, user_id, user_name)
            for dept_id, name in await departments(api) for user_id, user_name in await users_of(api, dept_id)]


async def read_directory(settings: Settings) -> list[DirectoryPerson]:
    """The directory of the app's organisation; a failure is one line naming what went wrong."""
    config = settings.require_dingtalk()
    async with DingTalkOpenAPI(config) as api:
        try:
            return await staff(api)
        except DeliveryError as error:
            raise PlatformStartError(f"cannot read the DingTalk directory ({error}): does the app have the "
                                     "directory read permissions (see the README)?") from error
