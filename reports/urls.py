from reports import api

urlpatterns = api.urlpatterns()
