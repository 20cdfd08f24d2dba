from .viewsets import PartnerProductNumberViewSet, PriceListViewSet, ProductLineViewSet, ProductViewSet

__all__ = ["PartnerProductNumberViewSet", "PriceListViewSet", "ProductLineViewSet", "ProductViewSet"]
