app_name = "warning"
urlpatterns: list = []  # the pages of the watch list and the signals register here
